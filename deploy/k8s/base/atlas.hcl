# Replace in an overlay (configMapGenerator, behavior: replace). Passwords come from the
# environment (getenv), which the Deployments fill from the Secret flotilla-secrets.
env "prod" {
  for_each = toset(["tenant_1", "tenant_2"])
  url      = "postgres://flotilla:${getenv("TENANTS_PASSWORD")}@tenants-postgres:5432/tenants?sslmode=require&search_path=${each.value}"
  migration {
    dir = "atlas://app"
  }
}
