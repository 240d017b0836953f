package dev.flotilla.protocol;

import java.util.Objects;

/**
 * Names of Flotilla's Kafka topics and the keys their records carry.
 *
 * <p>Every record about one target database is keyed by its {@linkplain #targetId(String, String) target
 * id}. Kafka assigns a partition by key, so all commands, progress events and results of one target land
 * on one partition and are consumed in the order they were produced; consumers of different targets
 * scale out by partition.
 */
public final class Topics {

  /**
   * Directory versions pushed to the registry ({@code DirectoryPushed}). Compacted; key = {@code versionId}
   * (the hex SHA-256 of the archive), so the topic keeps one record per version.
   */
  public static final String DIRECTORIES = "flotilla.directories";

  /** Deployment sets the coordinator planned ({@code DeploymentSetCreated}); key = {@code deploymentSetId}. */
  public static final String DEPLOYMENTS = "flotilla.deployments";

  /**
   * The state of each set's rollout ({@code RolloutChanged}, key = {@code deploymentSetId}) and the
   * versions envs reached ({@code EnvReachedVersion}, key = {@code env/directory}). Compacted, so the
   * topic keeps the latest state of every set: a worker reads it from the start before it runs a command.
   */
  public static final String ROLLOUTS = "flotilla.rollouts";

  /** One {@code MigrationCommand} per target of a deployment set; key = {@linkplain #targetId target id}. */
  public static final String COMMANDS = "flotilla.commands";

  /**
   * What the workers report: {@code MigrationProgress} and the one terminal {@code MigrationResult} per
   * command; key = {@linkplain #targetId target id}, so a target's events stay in order.
   */
  public static final String RESULTS = "flotilla.results";

  /** Records a consumer could not process ({@code DeadLetter}), kept for inspection and replay. */
  public static final String DEAD_LETTERS = "flotilla.dlq";

  private Topics() {
  }

  /**
   * Returns the id of a target, used as the record key on {@link #COMMANDS} and {@link #RESULTS} and as the
   * {@code targetId} envelope field: {@code env + "/" + targetName}, e.g. {@code "prod/tenant_1"}.
   *
   * @param env the environment, e.g. {@code "prod"}; not null
   * @param targetName the target's name within the environment, e.g. {@code "tenant_1"}; not null
   * @return the target id; never null
   */
  public static String targetId(String env, String targetName) {
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(targetName, "targetName");
    return env + "/" + targetName;
  }
}
