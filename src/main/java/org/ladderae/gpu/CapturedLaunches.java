package org.ladderae.gpu;

import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.JCudaDriver;

/**
 * A launch sequence (a layer, a whole model) captured once into a CUDA graph (cuStreamBeginCapture .. cuStreamEndCapture on a stream of
 * its own, then cuGraphInstantiate), replayed by one cuGraphLaunch on the default stream: the CPU cost of ~11-20
 * separate cuLaunchKernel calls per layer goes away, as in an inference engine that replays its decode step. Kernel
 * arguments are copied at capture, so the graph runs on the very buffers the executor allocated.
 */
public final class CapturedLaunches implements AutoCloseable {
    private final CudaContext context;
    private static final CUstream DEFAULT_STREAM = new CUstream();
    private CUstream stream;
    private CUgraph graph;
    private CUgraphExec exec;

    /** Captures what {@code enqueue} launches (it must only launch kernels) and instantiates the graph. */
    public CapturedLaunches(CudaContext context, Runnable enqueue) {
        this.context = context;
        context.bind();
        try {
            stream = new CUstream();
            // Non-blocking: no implicit ordering with the legacy default stream while it is being captured.
            CudaDriver.check("cuStreamCreate", JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING));
            CudaDriver.check("cuStreamBeginCapture", JCudaDriver.cuStreamBeginCapture(stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL));
            CUgraph captured = new CUgraph();
            try {
                Kernel.onStream(stream, enqueue);
            } finally {
                // End the capture even when a launch failed, so the stream is usable (and destroyable) again.
                int rc = JCudaDriver.cuStreamEndCapture(stream, captured);
                if (rc == jcuda.driver.CUresult.CUDA_SUCCESS) graph = captured;
                CudaDriver.check("cuStreamEndCapture", rc);
            }
            exec = new CUgraphExec();
            CudaDriver.check("cuGraphInstantiate", JCudaDriver.cuGraphInstantiate(exec, graph, 0));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Queues one replay of the layer on the default stream (ordered with events and launches there). */
    public void launch() {
        context.bind();
        // JCuda refuses a null stream argument; a CUstream that was never created holds the null handle, the default stream.
        CudaDriver.check("cuGraphLaunch", JCudaDriver.cuGraphLaunch(exec, DEFAULT_STREAM));
    }

    @Override
    public void close() {
        context.bind();
        if (exec != null) JCudaDriver.cuGraphExecDestroy(exec);
        if (graph != null) JCudaDriver.cuGraphDestroy(graph);
        if (stream != null) JCudaDriver.cuStreamDestroy(stream);
        exec = null;
        graph = null;
        stream = null;
    }
}
