package org.ladderae.results;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a result was produced on, captured into every run.json. GPU details are added by the GPU runtime. */
public final class MachineSummary {
    private MachineSummary() {}

    public static Map<String, Object> capture() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        try {
            m.put("host", InetAddress.getLocalHost().getHostName());
        } catch (Exception e) {
            m.put("host", "unknown");
        }
        return m;
    }
}
