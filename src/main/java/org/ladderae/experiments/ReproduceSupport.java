package org.ladderae.experiments;

/** Whether an experiment's {@code --reproduce} can run on this machine; if not, the reason. */
public record ReproduceSupport(boolean available, String reason) {
    public static ReproduceSupport available(String how) { return new ReproduceSupport(true, how); }

    public static ReproduceSupport unavailable(String why) { return new ReproduceSupport(false, why); }
}
