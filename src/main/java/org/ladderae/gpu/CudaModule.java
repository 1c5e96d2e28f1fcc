package org.ladderae.gpu;

import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

/**
 * A loaded module: cubin, fatbin or PTX bytes (PTX is JIT-compiled by the driver, so prefer a
 * cubin built for the device). Unloaded by {@link #close()}.
 */
public final class CudaModule implements AutoCloseable {
    private final CudaContext context;
    private final CUmodule handle;
    private final String what;
    private boolean closed;

    private CudaModule(CudaContext context, CUmodule handle, String what) {
        this.context = context;
        this.handle = handle;
        this.what = what;
    }

    static CudaModule load(CudaContext context, byte[] image, String what) {
        context.bind();
        CUmodule m = new CUmodule();
        byte[] data = image;
        if (looksLikePtx(image) && image[image.length - 1] != 0) {
            // The driver reads PTX as a C string.
            data = java.util.Arrays.copyOf(image, image.length + 1);
        }
        CudaDriver.check("cuModuleLoadData(" + what + ")", JCudaDriver.cuModuleLoadData(m, data));
        return new CudaModule(context, m, what);
    }

    private static boolean looksLikePtx(byte[] image) {
        // cubin and fatbin start with binary magic numbers; PTX is text.
        return image.length > 0 && (image[0] == '/' || image[0] == '.' || image[0] == '\n' || image[0] == ' ' || image[0] == '\t');
    }

    /** The {@code extern "C"} kernel {@code name}. */
    public Kernel kernel(String name) {
        if (closed) throw new IllegalStateException("module " + what + " already unloaded");
        context.bind();
        CUfunction f = new CUfunction();
        CudaDriver.check("cuModuleGetFunction(" + name + " in " + what + ")", JCudaDriver.cuModuleGetFunction(f, handle, name));
        return new Kernel(context, f, name);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        context.bind();
        CudaDriver.check("cuModuleUnload(" + what + ")", JCudaDriver.cuModuleUnload(handle));
    }
}
