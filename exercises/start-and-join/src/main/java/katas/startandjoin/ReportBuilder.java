package katas.startandjoin;

import java.util.List;

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
        // TODO: every source waits seconds on the network: fetched one after the other, the report takes
        //  as long as all of them together.
        // TODO: an exception thrown on another thread dies with that thread unless something carries it here.
        // TODO: a thread goes on running after this method has returned, or after its caller was interrupted,
        //  unless it is stopped and waited for.
        throw new UnsupportedOperationException("TODO: fetch every source on a thread of its own");
    }
}
