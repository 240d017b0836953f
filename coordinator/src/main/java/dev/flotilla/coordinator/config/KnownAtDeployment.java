package dev.flotilla.coordinator.config;

/**
 * A value known only at deployment time: what an expression that depends on a data source
 * evaluates to while the file is only being checked, since data sources are queried at each
 * deployment, not at load time (cty calls this an unknown value). Functions and templates given it
 * return it unchanged, so the rest of the expression is still checked.
 */
enum KnownAtDeployment {
    VALUE
}
