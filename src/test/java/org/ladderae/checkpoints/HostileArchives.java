package org.ladderae.checkpoints;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Builds .tar.gz bytes entry by entry, including entries no honest packer would write. */
final class HostileArchives {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar;

    HostileArchives() {
        try {
            tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes), "UTF-8");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    HostileArchives file(String name, byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, true);  // preserve the name as written: no stripping of '/' or '..'
        e.setSize(content.length);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
        return this;
    }

    HostileArchives file(String name, String content) throws IOException {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    HostileArchives link(String name, byte type, String target) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setLinkName(target);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        return this;
    }

    HostileArchives special(String name, byte type) throws IOException {
        tar.putArchiveEntry(new TarArchiveEntry(name, type, true));
        tar.closeArchiveEntry();
        return this;
    }

    byte[] finish() throws IOException {
        tar.close();
        return bytes.toByteArray();
    }

    static final byte SYMLINK = TarConstants.LF_SYMLINK;
    static final byte HARD_LINK = TarConstants.LF_LINK;
    static final byte FIFO = TarConstants.LF_FIFO;
    static final byte CHAR_DEVICE = TarConstants.LF_CHR;
}
