package katas.grader.learner;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Changes to the {@code .java} files under a folder and every folder below it, through a
 * {@link WatchService} (which watches one folder at a time: each folder is registered, new ones as they
 * appear). An editor's swap and backup files ({@code .x.swp}, {@code x~}, {@code 4913}) are not sources
 * and wake nothing.
 */
public final class DirectoryEvents implements SourceEvents {

    private final WatchService service;
    private final Map<WatchKey, Path> folders = new HashMap<>();

    public DirectoryEvents(Path root) throws IOException {
        service = root.getFileSystem().newWatchService();
        registerAll(root);
    }

    private void registerAll(Path top) throws IOException {
        try (Stream<Path> walk = Files.walk(top)) {
            for (Path folder : walk.filter(Files::isDirectory).toList()) {
                folders.put(folder.register(service, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE), folder);
            }
        }
    }

    @Override
    public Event await(Duration timeout) throws InterruptedException {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                WatchKey key = timeout == null ? service.take() : service.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
                if (key == null) {
                    return Event.QUIET;
                }
                if (sourceChanged(key)) {
                    return Event.CHANGED;
                }
            }
        } catch (ClosedWatchServiceException closed) {
            return Event.CLOSED;
        }
    }

    /** Whether {@code key}'s events touch a source; registers the folders that appeared. */
    private boolean sourceChanged(WatchKey key) {
        Path folder = folders.get(key);
        boolean source = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == OVERFLOW) {
                source = true;
                continue;
            }
            Path path = folder == null ? null : folder.resolve((Path) event.context());
            if (path == null) {
                continue;
            }
            if (event.kind() == ENTRY_CREATE && Files.isDirectory(path)) {
                try {
                    registerAll(path);
                } catch (IOException gone) {
                    // Deleted again at once: nothing to watch.
                }
                source = true;
            } else if (isSource(path)) {
                source = true;
            }
        }
        if (!key.reset()) {
            folders.remove(key);
        }
        return source;
    }

    /** A {@code .java} file that is not an editor's hidden or backup file. */
    static boolean isSource(Path path) {
        String name = path.getFileName().toString();
        return name.endsWith(".java") && !name.startsWith(".") && !name.startsWith("#");
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException ignored) {
            // Closing is all that was asked; a wait ends either way.
        }
    }
}
