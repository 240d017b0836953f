package dev.flotilla.coordinator.config;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A block of the project file, e.g. {@code env "prod" { … }}: its type, labels, attributes and
 * nested blocks, in file order.
 *
 * @param line 1-based line of the block, 0 when unknown
 */
record Block(String type, List<String> labels, List<Attribute> attributes, List<Block> blocks, int line) {
    Block {
        labels = List.copyOf(labels);
        attributes = List.copyOf(attributes);
        blocks = List.copyOf(blocks);
    }

    /** An attribute {@code name = value} of a block. */
    record Attribute(String name, Expr value, int line) {
    }

    Optional<Attribute> attribute(String name) {
        return attributes.stream().filter(a -> a.name().equals(name)).findFirst();
    }

    List<Block> blocks(String blockType) {
        return blocks.stream().filter(b -> b.type().equals(blockType)).collect(Collectors.toList());
    }

    /** The first label, or the empty string. */
    String name() {
        return labels.isEmpty() ? "" : labels.get(0);
    }

    /** The block as written in its header: {@code env "prod"}, {@code data "sql" "tenants"}, {@code locals}. */
    String describe() {
        StringBuilder b = new StringBuilder(type);
        labels.forEach(l -> b.append(' ').append(ValueText.quote(l)));
        return b.toString();
    }
}
