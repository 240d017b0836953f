package dev.flotilla.coordinator.config;

/**
 * The value of an expression that depends on a data source while the file is only being checked
 * (at load time data sources are not queried). Functions and templates given an unknown value
 * return it unchanged, so the rest of the expression is still checked.
 */
enum Unknown {
    VALUE
}
