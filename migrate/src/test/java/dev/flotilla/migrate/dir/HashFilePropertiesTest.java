package dev.flotilla.migrate.dir;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class HashFilePropertiesTest {

    private static SortedMap<String, byte[]> directory(List<byte[]> contents) {
        SortedMap<String, byte[]> files = new TreeMap<>();
        for (int i = 0; i < contents.size(); i++) {
            files.put(String.format("%03d_m.sql", i), contents.get(i));
        }
        return files;
    }

    @Property
    void changingOneFileChangesExactlyItsLineAndEveryLaterLine(
            @ForAll @Size(min = 1, max = 8) List<@Size(max = 40) byte[]> contents,
            @ForAll @IntRange(min = 0, max = 7) int index) {
        int changed = index % contents.size();
        List<byte[]> edited = new ArrayList<>(contents);
        byte[] content = contents.get(changed);
        byte[] longer = Arrays.copyOf(content, content.length + 1);
        edited.set(changed, longer);

        List<HashFile.Entry> before = MigrationDirectory.of(directory(contents), null).computeSum().entries();
        List<HashFile.Entry> after = MigrationDirectory.of(directory(edited), null).computeSum().entries();

        for (int i = 0; i < contents.size(); i++) {
            if (i < changed) {
                assertThat(after.get(i)).isEqualTo(before.get(i));
            } else {
                assertThat(after.get(i).hash()).isNotEqualTo(before.get(i).hash());
            }
        }
    }

    @Property
    void parsingTheBytesOfAComputedSumGivesItBack(@ForAll @Size(max = 8) List<@Size(max = 40) byte[]> contents) {
        HashFile sum = MigrationDirectory.of(directory(contents), null).computeSum();

        assertThat(HashFile.parse(sum.toBytes())).isEqualTo(sum);
    }

    @Property
    void archivesRoundTripAnyContent(@ForAll @Size(max = 6) List<@Size(max = 1200) byte[]> contents) {
        SortedMap<String, byte[]> files = directory(contents);
        MigrationDirectory original = MigrationDirectory.of(files,
                MigrationDirectory.of(files, null).computeSum().toBytes());

        MigrationDirectory copy = MigrationDirectory.fromArchive(original.toArchive());

        assertThat(copy.computeSum()).isEqualTo(original.computeSum());
        assertThat(copy.sumFile()).isEqualTo(original.sumFile());
    }
}
