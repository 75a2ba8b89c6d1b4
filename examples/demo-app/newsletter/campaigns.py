"""Single sends for the weekly newsletter, and the numbers afterwards."""

import os

import sendgrid


def schedule_weekly(single_send_id: str, when: str):
    sg = sendgrid.SendGridAPIClient(os.environ["SENDGRID_API_KEY"])
    single_sends = sg.client.marketing.singlesends
    single_sends._(single_send_id).schedule.put(request_body={"send_at": when})


def weekly_stats(start_date: str):
    sg = sendgrid.SendGridAPIClient(os.environ["SENDGRID_API_KEY"])
    return sg.client.stats.get(query_params={"start_date": start_date, "aggregated_by": "week"})
