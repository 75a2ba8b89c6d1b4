"""A generated-style wrapper around the REST API with a base URL constant."""

import requests

SENDGRID_API = "https://api.sendgrid.com/v3"


class Stats:
    base_url = SENDGRID_API

    def global_stats(self, start_date):
        return requests.get(f"{self.base_url}/stats", params={"start_date": start_date})
