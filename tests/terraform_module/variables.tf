variable "marketing_scopes" {
  type    = list(string)
  default = ["marketing.read"]
}

variable "team_keys" {
  type = map(list(string))
  default = {
    alerts = ["alerts.read"]
    "stats" = ["stats.read", "mail.send"]
  }
}
