# The project file of Atlas' "database-per-tenant" guide
# (https://atlasgo.io/guides/database-per-tenant/), after the steps that deploy from the registry.
locals {
  tenant = ["tenant_1", "tenant_2"]
}

env "prod" {
  for_each = toset(local.tenant)
  url = "sqlite://${each.value}.db"
  migration {
    dir = "atlas://db-per-tenant"
  }
}

env "local" {
  dev = "sqlite://?mode=memory"
  migration {
    dir = "file://migrations"
  }
}
