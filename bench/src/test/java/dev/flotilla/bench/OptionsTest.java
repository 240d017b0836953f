package dev.flotilla.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/** The switches that turn a part of a scenario off do turn it off, and leave it on by default. */
class OptionsTest {
    @Test
    void noScaleStagedSkipsTheStagedRun() {
        ScaleOutBench.Options on = new ScaleOutBench.Options();
        new CommandLine(on).parseArgs();
        ScaleOutBench.Options off = new ScaleOutBench.Options();
        new CommandLine(off).parseArgs("--no-scale-staged");
        assertThat(on.staged).isTrue();
        assertThat(off.staged).isFalse();
    }

    @Test
    void noNothingNewSkipsTheSecondRun() {
        Main.RolloutOptions on = new Main.RolloutOptions();
        new CommandLine(on).parseArgs();
        Main.RolloutOptions off = new Main.RolloutOptions();
        new CommandLine(off).parseArgs("--no-nothing-new");
        assertThat(on.nothingNew).isTrue();
        assertThat(off.nothingNew).isFalse();
    }
}
