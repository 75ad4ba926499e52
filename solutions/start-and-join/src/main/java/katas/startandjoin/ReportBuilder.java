package katas.startandjoin;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Builds a report from slow sources, fetching each one on a thread of its own. One builder may build
 * any number of reports, one after another or at the same time from several threads.
 */
public class ReportBuilder {

    /**
     * Fetches every source at the same time, each on a new thread, and returns their sections in the
     * order of {@code sources}. The rules are in the kata's README.
     *
     * @param sources the sources of the report, in the order their sections appear in it
     * @return one section per source, in the order of {@code sources}
     * @throws SourceFailedException when a source failed: which one, and what it threw as the cause
     * @throws InterruptedException when the calling thread was interrupted while waiting
     */
    public List<String> fetchAll(List<Source> sources) throws SourceFailedException, InterruptedException {
        if (Thread.interrupted()) { // FIX: interrupted before the call: no report, and no thread to start (rule 6)
            throw new InterruptedException("interrupted before the report was started");
        }
        // FIX: everything a report needs lives in this call, so reports built at the same time never mix.
        String[] sections = new String[sources.size()];
        AtomicReference<SourceFailedException> firstFailure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>(sources.size());
        for (int i = 0; i < sources.size(); i++) {
            int index = i;
            Source source = sources.get(i);
            threads.add(new Thread(() -> {
                try {
                    sections[index] = source.fetch(); // FIX: each thread writes its own slot; join() publishes it
                } catch (Throwable failure) { // FIX: an Error or a checked exception is a failure too
                    // FIX: only the first failure counts: later ones are the fallout of stopping the others.
                    if (firstFailure.compareAndSet(null, new SourceFailedException(index, failure))) {
                        stopAllBut(Thread.currentThread(), threads); // FIX: the other fetches are no longer needed
                    }
                }
            }, "report source " + i));
        }
        // FIX: every thread exists before any starts, so a failing one can stop all the others.
        try {
            for (Thread thread : threads) {
                thread.start(); // FIX: start(), not run(): run() would fetch right here, one source after the other
            }
        } catch (Throwable startFailed) { // FIX: e.g. OutOfMemoryError: unable to create native thread
            stopAllBut(Thread.currentThread(), threads); // FIX: the threads already started are not needed...
            if (joinEvenIfInterrupted(threads)) { // FIX: ...and none of them outlives the call (rule 5)
                Thread.currentThread().interrupt();
            }
            throw startFailed;
        }
        try {
            for (Thread thread : threads) {
                thread.join(); // FIX: wait only once every thread has started
            }
        } catch (InterruptedException interrupted) {
            stopAllBut(Thread.currentThread(), threads); // FIX: an interrupted caller stops its fetches...
            joinEvenIfInterrupted(threads); // FIX: ...waits until every thread has ended...
            throw interrupted; // FIX: ...and tells its own caller
        }
        if (Thread.interrupted()) { // FIX: join() on a thread that has ended ignores an interrupt: look once more
            throw new InterruptedException("interrupted while the report was being fetched");
        }
        SourceFailedException failure = firstFailure.get();
        if (failure != null) {
            throw failure; // FIX: the failure reaches the caller, with what the source threw as its cause
        }
        return Collections.unmodifiableList(Arrays.asList(sections));
    }

    private static void stopAllBut(Thread self, List<Thread> threads) {
        for (Thread thread : threads) {
            if (thread != self) {
                thread.interrupt();
            }
        }
    }

    /**
     * Waits for every thread to end (a thread never started has nothing to wait for), even when interrupted
     * meanwhile; says whether it was, for a caller that does not throw that interrupt anyway.
     */
    private static boolean joinEvenIfInterrupted(List<Thread> threads) {
        boolean interrupted = false;
        for (Thread thread : threads) {
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException again) {
                    // FIX: keep waiting: the caller hears of the interrupt once every thread has ended.
                    interrupted = true;
                }
            }
        }
        return interrupted;
    }
}
