locals {
  base = ["mail.send"]
  all  = concat(local.base, var.marketing_scopes, ["templates.read"])
}

resource "sendgrid_api_key" "marketing" {
  name   = "marketing"
  scopes = var.marketing_scopes
}

resource "sendgrid_api_key" "combined" {
  name   = "combined"
  scopes = local.all
}

resource "sendgrid_api_key" "per_team" {
  for_each = var.team_keys
  name     = each.key
  scopes   = each.value
}
