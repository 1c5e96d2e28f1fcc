package org.ladderae.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class BarPanelsTest {
    private static BarData bars(Double... values) {
        SeriesStyle style = new SeriesStyle("s", "s", Color.BLUE, false);
        List<Mark> marks = Collections.nCopies(values.length, null);
        return new BarData(java.util.stream.IntStream.range(0, values.length).mapToObj(i -> "M" + i).toList(),
                List.of(new BarSeries(style, Arrays.asList(values), marks)));
    }

    @Test
    void theUpperPartOfABrokenAxisStartsBelowEveryBarThatLeavesTheLowerPart() {
        // the paper's Figure 12 layout: lower 0..4, upper from 8
        assertThat(BarPanels.upperFrom(bars(1.0, 11.1, 9.0), 8, 4)).isEqualTo(8);
        assertThat(BarPanels.upperFrom(bars(1.0, 7.87, 3.0), 8, 4)).isEqualTo(7);
        assertThat(BarPanels.upperFrom(bars(5.5, 7.87, null), 8, 4)).isEqualTo(5);
        // never below the lower part's top
        assertThat(BarPanels.upperFrom(bars(4.2, 12.0), 8, 4)).isEqualTo(4);
    }
}
