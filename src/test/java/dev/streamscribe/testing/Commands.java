package dev.streamscribe.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;

/** Whether an external tool the tests need is there: the command runs and exits 0 within 30 s. */
public final class Commands {
    private Commands() {
    }

    public static boolean succeeds(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().transferTo(OutputStream.nullOutputStream());
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
