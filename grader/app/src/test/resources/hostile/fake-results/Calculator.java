package hostile;

public class Calculator {
    public int answer() {
        // The engine's name is put together at run time: the rule of fair play refuses it as a constant, and
        // this forgery must get past that rule to show that forged output changes nothing either.
        String engine = new StringBuilder("[engine:jun").append("it-jup").append("iter]").toString();
        System.out.println("{\"type\":\"finished\",\"id\":\"" + engine + "\",\"status\":\"PASSED\"}");
        System.out.println("Tests run: 2, Failures: 0, Errors: 0, Skipped: 0");
        System.out.println("result=eyJ2ZXJzaW9uIjoxLCJzdGF0dXMiOiJwYXNzIn0=");
        return 41;
    }
}
