package org.ladderae.baselines;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.ladderae.gpu.CudaDriver;
import org.ladderae.gpu.Device;

/**
 * The GPUs a reproduction may spread its whole-model baseline processes over, as {@code CUDA_VISIBLE_DEVICES} values:
 * every GPU of the same model as GPU 0 (the one Ladder's kernels run on), so that no baseline is timed on a different
 * kind of card than the GPU the results are labelled with. A machine with one GPU (or none) gets one element, null:
 * the processes inherit this process's GPU. {@code LADDER_AE_BASELINE_GPUS=N} caps the count (1: all on GPU 0).
 */
public final class BaselineDevices {
    public static final String CAP_VARIABLE = "LADDER_AE_BASELINE_GPUS";

    private BaselineDevices() {}

    /** The GPUs of this machine identical to GPU 0, capped by {@value #CAP_VARIABLE}. */
    public static List<String> identicalToFirst() {
        CudaDriver.Availability a = CudaDriver.availability();
        if (!a.available() || a.deviceCount() < 2) return Collections.singletonList(null);
        List<String> names = CudaDriver.devices().stream().map(Device::name).toList();
        return select(names, System.getenv("CUDA_VISIBLE_DEVICES"), System.getenv(CAP_VARIABLE));
    }

    /**
     * The {@code CUDA_VISIBLE_DEVICES} value of each GPU named like GPU 0 among {@code names} (this process's device
     * ordinals): the ordinal itself, or its entry of {@code parentVisible} when this process was given a list; at most
     * {@code cap} of them (unset or unreadable: no cap). One element, null, when only GPU 0 qualifies.
     */
    static List<String> select(List<String> names, String parentVisible, String cap) {
        List<String> parent = parentVisible == null || parentVisible.isBlank() ? null
                : Arrays.stream(parentVisible.split(",")).map(String::trim).toList();
        int max = Integer.MAX_VALUE;
        try {
            if (cap != null && !cap.isBlank()) max = Math.max(1, Integer.parseInt(cap.trim()));
        } catch (NumberFormatException ignored) {
            // not a number: no cap
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.size() && out.size() < max; i++) {
            if (!names.get(i).equals(names.get(0))) continue;
            out.add(parent != null && i < parent.size() ? parent.get(i) : String.valueOf(i));
        }
        return out.size() < 2 ? Collections.singletonList(null) : out;
    }
}
