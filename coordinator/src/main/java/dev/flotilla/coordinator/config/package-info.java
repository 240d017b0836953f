/**
 * Reads Atlas project files ({@code atlas.hcl}) into envs and target groups.
 *
 * <p>{@link dev.flotilla.coordinator.config.ProjectConfig#load} reads the file;
 * {@link dev.flotilla.coordinator.config.EnvConfig} is one {@code env} block and its
 * {@link dev.flotilla.coordinator.config.TargetSource} yields the
 * {@link dev.flotilla.coordinator.config.Target}s to migrate, re-evaluated at each deployment.
 *
 * <p>Supported, as Atlas writes it: {@code locals}, {@code variable} (with {@code --var}
 * overrides), {@code data "sql"}, {@code env} with {@code for_each}/{@code each.value},
 * {@code url}, {@code dev} and {@code migration { dir, baseline, tx_mode, repo { name, backup } }};
 * {@code "${…}"} templates; the functions
 * {@code toset}, {@code file}, {@code jsondecode}, {@code getenv}, {@code urlsetpath},
 * {@code urlqueryset} and {@code urluserinfo}. Other blocks and env attributes are ignored;
 * operators, conditionals and for expressions are refused when an evaluated attribute uses them.
 */
package dev.flotilla.coordinator.config;
