# The team's project file: its envs and target databases; passwords through getenv.
env "prod" {
  for_each = toset(["tenant_1", "tenant_2"])
  url      = "postgres://flotilla:${getenv("TENANTS_PASSWORD")}@tenants-postgres:5432/tenants?sslmode=require&search_path=${each.value}"
  migration {
    dir = "atlas://app"
  }
}
