package org.ladderae.paperdata;

import java.util.Map;

/**
 * One category of a panel's x axis: the label as the artifact wrote it, a plain label, and what it
 * stands for (a batch/sequence setting, a GEMM or conv shape, or a format pair), as key/value pairs.
 */
public record XCategory(String label, String plainLabel, Map<String, Object> attributes) {
    public XCategory {
        attributes = attributes == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attributes));
    }

    public Integer intAttribute(String key) {
        Object v = attributes.get(key);
        return v instanceof Number n ? n.intValue() : null;
    }
}
