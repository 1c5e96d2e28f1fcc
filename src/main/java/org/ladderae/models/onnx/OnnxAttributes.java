package org.ladderae.models.onnx;

import org.ladderae.models.onnx.proto.OnnxProtos.AttributeProto;
import org.ladderae.models.onnx.proto.OnnxProtos.NodeProto;

/** Reading a node's attributes, shared by the constant folder and the importer. */
final class OnnxAttributes {
    private OnnxAttributes() {}

    static AttributeProto attribute(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) if (a.getName().equals(name)) return a;
        return null;
    }

    static long intAttr(NodeProto n, String name, long dflt) {
        AttributeProto a = attribute(n, name);
        return a == null ? dflt : a.getI();
    }

    static double floatAttr(NodeProto n, String name, double dflt) {
        AttributeProto a = attribute(n, name);
        return a == null ? dflt : a.getF();
    }

    static long[] ints(NodeProto n, String name) {
        AttributeProto a = attribute(n, name);
        return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }
}
