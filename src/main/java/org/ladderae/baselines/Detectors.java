package org.ladderae.baselines;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.ladderae.env.Subprocess;

/** Detectors for the tools the harness cannot drive: each returns null when found, else the reason it is missing. */
public final class Detectors {
    private Detectors() {}

    public static Supplier<String> onPath(String program, String whatItIs) {
        return () -> Subprocess.onPath(program) ? null : program + " not on PATH (" + whatItIs + " not installed)";
    }

    /** {@code python -c "import <module>"}; the reason carries the interpreter's own error line. */
    public static Supplier<String> pythonImport(String python, String module, String whatItIs) {
        return () -> {
            try {
                Subprocess.Result r = Subprocess.run(List.of(python, "-c", "import " + module), Duration.ofMinutes(1));
                if (r.ok()) return null;
                String why = r.timedOut() ? "timed out" : BenchmarkProcess.lastLines(r.stderr(), 1);
                return "'import " + module + "' fails in " + python + " (" + whatItIs + " not installed): " + why;
            } catch (IOException e) {
                return python + " not found, so " + whatItIs + " cannot be looked for";
            }
        };
    }

    /** Found when any of the detectors finds it; otherwise all reasons, joined. */
    public static Supplier<String> anyOf(List<Supplier<String>> detectors) {
        return () -> {
            StringBuilder why = new StringBuilder();
            for (Supplier<String> d : detectors) {
                String r = d.get();
                if (r == null) return null;
                if (why.length() > 0) why.append("; ");
                why.append(r);
            }
            return why.toString();
        };
    }
}
