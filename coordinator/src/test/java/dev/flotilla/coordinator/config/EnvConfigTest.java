package dev.flotilla.coordinator.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EnvConfigTest {
    @Test
    void aVersionInTheRegistryUrlCapsTheRolloutLikeToVersionAndTheLowerOfTheTwoWins() {
        assertThat(env("atlas://app?version=20240102", null).versionCap()).isEqualTo("20240102");
        assertThat(env("atlas://app?tag=v3&version=20240102", null).registryTag()).contains("v3");
        assertThat(env("atlas://app", "20240105").versionCap()).isEqualTo("20240105");
        assertThat(env("atlas://app?version=20240102", "20240105").versionCap()).isEqualTo("20240102");
        assertThat(env("atlas://app?version=20240109", "20240105").versionCap()).isEqualTo("20240105");
        assertThat(env("atlas://app?tag=v3", null).versionCap()).isNull();
        assertThat(env("file://migrations?version=1", null).versionCap()).as("only registry URLs pin").isNull();
    }

    private static EnvConfig env(String dir, String toVersion) {
        return new EnvConfig("prod", dir, null, List::of, null, null, RepoConfig.NONE, null, toVersion);
    }
}
