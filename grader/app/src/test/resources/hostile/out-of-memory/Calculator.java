package hostile;

import java.util.ArrayList;
import java.util.List;

public class Calculator {
    public int answer() {
        List<long[]> hoard = new ArrayList<>();
        while (true) {
            hoard.add(new long[1_000_000]);
        }
    }
}
