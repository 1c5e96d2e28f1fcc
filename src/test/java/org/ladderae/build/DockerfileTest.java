package org.ladderae.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine runs where CI does, so the container build is checked by what it must contain:
 * the README's own build command, the tools the reproduction needs, and the launcher as entry point.
 */
class DockerfileTest {
    @Test
    void dockerfileBuildsWithTheReadmeBuildCommand() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Matcher m = Pattern.compile("## Build and draw everything.*?```sh\\n(.*?)\\n```", Pattern.DOTALL).matcher(readme);
        assertThat(m.find()).as("README has a build code block").isTrue();
        String build = m.group(1).split("&&")[0].trim();
        assertThat(build).startsWith("mvn ");

        String dockerfile = Files.readString(Path.of("docker", "Dockerfile"));
        assertThat(dockerfile).contains("RUN " + build);
        assertThat(dockerfile).contains("openjdk-17").contains("-devel-").contains("torch");
        assertThat(dockerfile).contains("ENTRYPOINT [\"/opt/ladder-ae/ladder-ae\"]").contains("CMD [\"doctor\"]");
    }

    @Test
    void runAllScriptDelegatesToTheLauncher() throws IOException {
        String script = Files.readString(Path.of("artifact", "run_all.sh"));
        assertThat(script).contains("ladder-ae\" all").contains("exit $status");
        assertThat(Files.isExecutable(Path.of("artifact", "run_all.sh"))).isTrue();
    }
}
