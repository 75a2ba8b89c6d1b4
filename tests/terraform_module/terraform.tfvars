marketing_scopes = ["marketing.read", "asm.groups.read"]
