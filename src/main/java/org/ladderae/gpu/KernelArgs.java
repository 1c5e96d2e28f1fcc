package org.ladderae.gpu;

import java.util.ArrayList;
import java.util.List;
import jcuda.NativePointerObject;
import jcuda.Pointer;

/**
 * A kernel's parameters in declaration order, typed so a Java {@code long} cannot silently become
 * a 32-bit {@code int} parameter: {@code KernelArgs.of().buffer(w).buffer(x).buffer(y).i32(n)}.
 */
public final class KernelArgs {
    private final List<NativePointerObject> slots = new ArrayList<>();
    private final List<String> types = new ArrayList<>();

    private KernelArgs() {}

    public static KernelArgs of() { return new KernelArgs(); }

    public KernelArgs buffer(DeviceBuffer b) { return add(Pointer.to(b.pointer()), "ptr"); }

    /** A pointer {@code byteOffset} bytes into {@code b} (a slice of a larger tensor). */
    public KernelArgs buffer(DeviceBuffer b, long byteOffset) {
        if (byteOffset < 0 || byteOffset > b.bytes()) throw new IllegalArgumentException("offset " + byteOffset + " outside a " + b.bytes() + "-byte buffer");
        return add(Pointer.to(b.pointer().withByteOffset(byteOffset)), "ptr");
    }

    /** A null pointer parameter (an optional operand the kernel skips, e.g. no bias). */
    public KernelArgs nullPointer() { return add(Pointer.to(new long[] {0L}), "ptr"); }

    public KernelArgs i32(int v) { return add(Pointer.to(new int[] {v}), "int"); }

    public KernelArgs i64(long v) { return add(Pointer.to(new long[] {v}), "long"); }

    public KernelArgs f32(float v) { return add(Pointer.to(new float[] {v}), "float"); }

    /** A by-value struct parameter (e.g. a 128-byte CUtensorMap taken as {@code const __grid_constant__}). */
    public KernelArgs bytes(byte[] v) { return add(Pointer.to(v.clone()), "struct[" + v.length + "]"); }

    private KernelArgs add(Pointer p, String type) {
        slots.add(p);
        types.add(type);
        return this;
    }

    Pointer toKernelParams() { return Pointer.to(slots.toArray(new NativePointerObject[0])); }

    @Override
    public String toString() { return "(" + String.join(", ", types) + ")"; }
}
