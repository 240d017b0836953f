package dev.flotilla.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void targetIdIsEnvSlashTargetName() {
    assertThat(Topics.targetId("prod", "tenant_1")).isEqualTo("prod/tenant_1");
  }

  @Test
  void targetIdRejectsNulls() {
    assertThatNullPointerException().isThrownBy(() -> Topics.targetId(null, "tenant_1")).withMessage("env");
    assertThatNullPointerException().isThrownBy(() -> Topics.targetId("prod", null)).withMessage("targetName");
  }

  @Test
  void topicNamesAreDistinctAndPrefixed() {
    assertThat(new String[] {Topics.DIRECTORIES, Topics.DEPLOYMENTS, Topics.COMMANDS, Topics.RESULTS,
        Topics.DEAD_LETTERS}).doesNotHaveDuplicates().allMatch(t -> t.startsWith("flotilla."));
  }
}
