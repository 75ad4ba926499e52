package katas.grader.learner;

import java.util.List;
import java.util.Random;

/** Picks an interview's kata at random among the ones the state file does not know as solved, from a seed. */
public final class KataPicker {

    /**
     * @param kata the kata picked
     * @param among how many it was picked among
     * @param allSolved whether every kata was solved already, so it was picked among all of them
     */
    public record Pick(String kata, int among, boolean allSolved) {
    }

    private KataPicker() {
    }

    /** The same seed, order and state pick the same kata. */
    public static Pick pick(List<String> teachingOrder, GradeState state, long seed) {
        if (teachingOrder.isEmpty()) {
            throw new IllegalArgumentException("no kata to pick from");
        }
        List<String> unsolved = teachingOrder.stream().filter(id -> {
            GradeState.LastGrade grade = state.grades().get(id);
            return grade == null || !grade.solved();
        }).toList();
        List<String> from = unsolved.isEmpty() ? teachingOrder : unsolved;
        return new Pick(from.get(new Random(seed).nextInt(from.size())), from.size(), unsolved.isEmpty());
    }
}
