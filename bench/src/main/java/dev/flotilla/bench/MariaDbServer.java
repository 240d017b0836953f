package dev.flotilla.bench;

/**
 * The MariaDB (or MySQL) server of database-per-tenant fleets ({@code --mysql}), reached as Atlas
 * writes it, {@code mysql://user@host:port/db}, through MySQL Connector/J, the driver Flotilla
 * uses for {@code mysql://} URLs; the loops use the same driver.
 *
 * @param host host name
 * @param port port
 * @param user user (no password)
 */
record MariaDbServer(String host, int port, String user) {
    static MariaDbServer parse(String url) {
        java.net.URI u = java.net.URI.create(url);
        return new MariaDbServer(u.getHost(), u.getPort() > 0 ? u.getPort() : 3306,
                u.getUserInfo() == null ? "root" : u.getUserInfo());
    }

    /** The JDBC URL of {@code database} ("" for none). */
    String jdbc(String database) {
        return "jdbc:mysql://" + host + ":" + port + "/" + database + "?user=" + user;
    }

    String atlas(String database) {
        return "mysql://" + user + "@" + host + ":" + port + "/" + database;
    }
}
