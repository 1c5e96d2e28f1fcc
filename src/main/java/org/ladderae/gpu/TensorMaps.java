package org.ladderae.gpu;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import jcuda.Pointer;
import jcuda.driver.JCudaDriver;

/**
 * TMA tensor maps (the driver's 128-byte {@code CUtensorMap}) for kernels that take them as
 * {@code const __grid_constant__} parameters. JCuda 12.6 has no {@code cuTensorMapEncodeTiled}, so it is
 * called in libcuda through JNA; the bytes go to the kernel by {@link KernelArgs#bytes}.
 */
public final class TensorMaps {
    public static final int BYTES = 128;
    private static final int CU_TENSOR_MAP_DATA_TYPE_UINT8 = 0;
    private static final int CU_TENSOR_MAP_DATA_TYPE_FLOAT16 = 6;
    private static final int SWIZZLE_128B = 3;
    private static final int L2_PROMOTION_256B = 3;
    private static final int CU_POINTER_ATTRIBUTE_DEVICE_POINTER = 3;

    private TensorMaps() {}

    private static NativeLibrary driver() {
        try {
            return NativeLibrary.getInstance("libcuda.so.1");
        } catch (UnsatisfiedLinkError e) {
            return NativeLibrary.getInstance("cuda");
        }
    }

    /** The device address of a buffer, as a number. */
    public static long address(DeviceBuffer buffer) {
        long[] v = new long[1];
        CudaDriver.check("cuPointerGetAttribute",
                JCudaDriver.cuPointerGetAttribute(Pointer.to(v), CU_POINTER_ATTRIBUTE_DEVICE_POINTER, buffer.pointer()));
        return v[0];
    }

    /**
     * The tensor map of a row-major FP16 matrix {@code [rows, cols]} in {@code buffer}, box {@code {64, boxRows}}
     * (64 FP16 = one 128-byte row per box row), the 128-byte swizzle, zeros for rows past the end.
     */
    public static byte[] fp16Rows(DeviceBuffer buffer, long rows, long cols, int boxRows) {
        return rows128B(buffer, rows, cols, 2, boxRows);
    }

    /**
     * {@link #fp16Rows(DeviceBuffer, long, long, int)} of a strided view: row {@code i} of the {@code [rows, cols]} matrix
     * starts at element {@code offset + i * pitch} of {@code buffer} (a channel slice of a wider NHWC tensor). TMA needs
     * the start and the pitch in whole 16-byte units.
     */
    public static byte[] fp16Rows(DeviceBuffer buffer, long offset, long rows, long cols, long pitch, int boxRows) {
        if (offset < 0 || pitch < cols || 2 * (offset + (rows - 1) * pitch + cols) > buffer.bytes())
            throw new IllegalArgumentException("rows of " + cols + " FP16 at pitch " + pitch + " from element " + offset + " exceed the " + buffer.bytes() + "-byte buffer");
        if (offset * 2 % 16 != 0) throw new IllegalArgumentException("TMA start must be 16-byte aligned: element offset " + offset);
        return rows128B(address(buffer) + 2 * offset, rows, cols, pitch, 2, boxRows);
    }

    /**
     * The tensor map of a row-major 8-bit matrix {@code [rows, cols]} (FP8 or INT8 codes, as UINT8), box {@code {128,
     * boxRows}} (one 128-byte row per box row), the 128-byte swizzle, zeros for rows past the end.
     */
    public static byte[] byteRows(DeviceBuffer buffer, long rows, long cols, int boxRows) {
        return rows128B(buffer, rows, cols, 1, boxRows);
    }

    private static byte[] rows128B(DeviceBuffer buffer, long rows, long cols, int elementBytes, int boxRows) {
        return rows128B(address(buffer), rows, cols, cols, elementBytes, boxRows);
    }

    private static byte[] rows128B(long address, long rows, long cols, long pitch, int elementBytes, int boxRows) {
        if (pitch * elementBytes % 16 != 0) throw new IllegalArgumentException("row pitch must be a multiple of 16 bytes: " + pitch * elementBytes + " B");
        if (boxRows < 1 || boxRows > 256) throw new IllegalArgumentException("TMA box rows must be 1..256: " + boxRows);
        Function encode = driver().getFunction("cuTensorMapEncodeTiled");
        Memory map = new Memory(BYTES + 64);
        Memory aligned = map.align(64);
        int type = elementBytes == 2 ? CU_TENSOR_MAP_DATA_TYPE_FLOAT16 : CU_TENSOR_MAP_DATA_TYPE_UINT8;
        int r = encode.invokeInt(new Object[] {aligned, type, 2, new com.sun.jna.Pointer(address),
                new long[] {cols, rows}, new long[] {elementBytes * pitch}, new int[] {128 / elementBytes, boxRows}, new int[] {1, 1}, 0,
                SWIZZLE_128B, L2_PROMOTION_256B, 0});
        CudaDriver.check("cuTensorMapEncodeTiled", r);
        return aligned.getByteArray(0, BYTES);
    }

    /**
     * The im2col-mode tensor map of an FP16 NHWC tensor {@code [n, h, w, c]} whose pixel {@code i} starts at element
     * {@code offset + i * pixelStride} of {@code buffer} (dims {C, W, H, N}): one load brings {@code tilePixels} output
     * pixels' input pixels for one filter tap, 64 channels each, as 128-byte swizzled rows. The bounding box starts at
     * {@code -pad} and ends at {@code upper} ({W, H}, {@code ConvConfig.im2colTmaUpperCorner}); the traversal strides are
     * the conv's stride; pixels outside the tensor (the padding) arrive as zeros.
     */
    public static byte[] fp16Im2col(DeviceBuffer buffer, long offset, long pixelStride, int n, int h, int w, int c, int pad, int[] upper, int stride,
                                    int tilePixels) {
        if (offset < 0 || pixelStride < c || 2 * (offset + ((long) n * h * w - 1) * pixelStride + c) > buffer.bytes())
            throw new IllegalArgumentException(n + "x" + h + "x" + w + " pixels of " + c + " FP16 at stride " + pixelStride + " from element " + offset
                    + " exceed the " + buffer.bytes() + "-byte buffer");
        if (offset * 2 % 16 != 0 || pixelStride * 2 % 16 != 0)
            throw new IllegalArgumentException("TMA needs 16-byte aligned pixels: element offset " + offset + ", pixel stride " + pixelStride);
        if (tilePixels < 1 || tilePixels > 256) throw new IllegalArgumentException("im2col TMA pixels per load must be 1..256: " + tilePixels);
        Function encode = driver().getFunction("cuTensorMapEncodeIm2col");
        Memory map = new Memory(BYTES + 64);
        Memory aligned = map.align(64);
        long px = 2 * pixelStride;
        int r = encode.invokeInt(new Object[] {aligned, CU_TENSOR_MAP_DATA_TYPE_FLOAT16, 4, new com.sun.jna.Pointer(address(buffer) + 2 * offset),
                new long[] {c, w, h, n}, new long[] {px, px * w, px * w * h}, new int[] {-pad, -pad}, new int[] {upper[0], upper[1]}, 64, tilePixels,
                new int[] {1, stride, stride, 1}, 0, SWIZZLE_128B, L2_PROMOTION_256B, 0});
        CudaDriver.check("cuTensorMapEncodeIm2col", r);
        return aligned.getByteArray(0, BYTES);
    }
}
