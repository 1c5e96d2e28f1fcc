package org.ladderae.env;

/** One line of {@code ladder-ae doctor}: a component, whether it is usable, and how to fix it if not. */
public interface Check {
    Outcome run();

    record Outcome(String component, Status status, String detail, String fix) {
        public static Outcome ok(String component, String detail) { return new Outcome(component, Status.OK, detail, null); }

        public static Outcome missing(String component, String detail, String fix) { return new Outcome(component, Status.MISSING, detail, fix); }

        public static Outcome warn(String component, String detail, String fix) { return new Outcome(component, Status.WARN, detail, fix); }
    }

    enum Status { OK, WARN, MISSING }
}
