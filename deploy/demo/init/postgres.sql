-- Demo tenants, one schema each in the database "tenants", owned by flotilla (POSTGRES_USER).
CREATE SCHEMA IF NOT EXISTS hooli AUTHORIZATION flotilla;
CREATE SCHEMA IF NOT EXISTS stark AUTHORIZATION flotilla;
CREATE SCHEMA IF NOT EXISTS umbrella AUTHORIZATION flotilla;
