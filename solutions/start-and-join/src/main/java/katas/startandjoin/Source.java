package katas.startandjoin;

/**
 * One source of the report: a service that takes seconds to answer and may fail with anything.
 * Given: do not change it. A source may be fetched from any thread.
 */
@FunctionalInterface
public interface Source {

    /**
     * Fetches this source's section of the report. Slow: it waits on the network.
     *
     * <p>When the thread fetching it is interrupted, a source stops: usually soon, by throwing
     * {@link InterruptedException}, but some return what they have, throw something else, or take a
     * while to wind down.
     *
     * @return the section, never null
     * @throws Exception whatever went wrong; an {@link Error} is possible too
     */
    String fetch() throws Exception;
}
