package org.ladderae.env;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** Doctor checks for the host tools: Java, nvcc (kernel builds and tuning) and python3 + torch (baselines). */
public final class ToolChecks {
    private ToolChecks() {}

    public static Check java() {
        return () -> Check.Outcome.ok("Java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.home") + ")");
    }

    public static Check os() {
        return () -> Check.Outcome.ok("OS", System.getProperty("os.name") + " " + System.getProperty("os.version")
                + " " + System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
    }

    public static Check nvcc() {
        return () -> {
            try {
                Subprocess.Result r = Subprocess.run(List.of("nvcc", "--version"), Duration.ofSeconds(30));
                if (!r.ok()) return Check.Outcome.missing("nvcc", "nvcc --version failed: " + r.tail(1), "reinstall the CUDA toolkit");
                String[] lines = r.stdout().strip().split("\n");
                return Check.Outcome.ok("nvcc", lines[lines.length - 1].trim());
            } catch (IOException e) {
                return Check.Outcome.missing("nvcc", "not on PATH (needed only to tune or rebuild kernels; shipped checkpoints load without it)",
                        "install the CUDA toolkit and put its bin/ on PATH");
            }
        };
    }

    public static Check pythonTorch(String python) {
        return () -> {
            try {
                Subprocess.Result r = Subprocess.run(List.of(python, "-c",
                        "import torch; print(torch.__version__, torch.version.cuda, torch.cuda.is_available())"), Duration.ofSeconds(120));
                if (!r.ok()) return Check.Outcome.missing("python3 + torch", python + " has no usable torch: " + r.tail(1),
                        "install PyTorch for the baselines (pip install torch) or pass --python PATH");
                String[] f = r.stdout().strip().split("\\s+");
                return Check.Outcome.ok("python3 + torch", "torch " + f[0] + " (CUDA " + f[1] + ", GPU visible: " + f[2] + ")");
            } catch (IOException e) {
                return Check.Outcome.missing("python3 + torch", python + " not found (needed only for PyTorch baselines)",
                        "install python3 with torch, or pass --python PATH");
            }
        };
    }
}
