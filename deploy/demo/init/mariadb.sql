-- Demo tenants, one database each; the image creates the user flotilla (MARIADB_USER) first.
CREATE DATABASE IF NOT EXISTS demo_acme;
CREATE DATABASE IF NOT EXISTS demo_globex;
CREATE DATABASE IF NOT EXISTS demo_initech;
GRANT ALL PRIVILEGES ON `demo\_%`.* TO 'flotilla'@'%';
