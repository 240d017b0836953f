# The demo project of docker-compose.yml: one migration directory ("demo") followed by two envs,
# three database-per-tenant MariaDB tenants and three schema-per-tenant PostgreSQL tenants.
# Passwords come from the environment of the coordinator and the workers (getenv), never from
# this file; the hosts are variables so that the same file runs outside compose
# (FLOTILLA_VARS=mariadb_host=127.0.0.1:3306,postgres_host=127.0.0.1:5432).

variable "mariadb_host" {
  type    = string
  default = "tenants-mariadb:3306"
}

variable "postgres_host" {
  type    = string
  default = "tenants-postgres:5432"
}

variable "postgres_db" {
  type    = string
  default = "tenants"
}

locals {
  mariadb_tenants  = ["acme", "globex", "initech"]
  postgres_tenants = ["hooli", "stark", "umbrella"]
}

env "mariadb" {
  for_each = toset(local.mariadb_tenants)
  url      = "mariadb://flotilla:${getenv("DEMO_TENANTS_PASSWORD")}@${var.mariadb_host}/demo_${each.value}"
  migration {
    dir = "atlas://demo"
  }
}

env "postgres" {
  for_each = toset(local.postgres_tenants)
  url      = urlqueryset("postgres://flotilla:${getenv("DEMO_TENANTS_PASSWORD")}@${var.postgres_host}/${var.postgres_db}?sslmode=disable", "search_path", each.value)
  migration {
    dir = "atlas://demo"
  }
}
