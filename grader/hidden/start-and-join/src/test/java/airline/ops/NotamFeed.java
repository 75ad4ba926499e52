package airline.ops;

import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import katas.startandjoin.Source;

/**
 * A source as an application would write it, in a package and with a name of its own: nothing in it says
 * "test". It answers once every feed of its briefing is being fetched (each waits at {@code everyFeed}, up to
 * two seconds), and records the thread it was fetched on.
 */
public final class NotamFeed implements Source {

    private final String section;
    private final CyclicBarrier everyFeed;
    private final Map<Thread, Integer> fetchedOn;

    public NotamFeed(String section, CyclicBarrier everyFeed, Map<Thread, Integer> fetchedOn) {
        this.section = section;
        this.everyFeed = everyFeed;
        this.fetchedOn = fetchedOn;
    }

    @Override
    public String fetch() throws Exception {
        fetchedOn.merge(Thread.currentThread(), 1, Integer::sum);
        everyFeed.await(2, TimeUnit.SECONDS);
        return section;
    }

    @Override
    public String toString() {
        return "NOTAM feed (" + section + ")";
    }
}
