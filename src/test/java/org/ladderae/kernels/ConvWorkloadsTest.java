package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConvWorkloadsTest {
    @Test
    void resnet50HasItsStemBottlenecksAndDownsamples() {
        List<ConvShape> r = ConvWorkloads.resnet50(128);
        assertThat(r).hasSize(23).doesNotHaveDuplicates();
        assertThat(r.get(0)).isEqualTo(ConvShape.parse("128,3,224,224,64,7,7,2,3"));
        for (String label : List.of("C0", "C1", "C2", "C3")) assertThat(r).contains(ConvShape.FIGURE12.get(label));
        assertThat(r).contains(ConvShape.parse("128,1024,14,14,2048,1,1,2,0"), ConvShape.parse("128,512,7,7,2048,1,1,1,0"),
                ConvShape.parse("128,256,28,28,256,3,3,2,1"));
        // every conv's output feeds a later one: the last is at 7x7
        assertThat(r.stream().mapToInt(ConvShape::p).min().orElseThrow()).isEqualTo(7);
    }

    @Test
    void shufflenetHasOddChannelCountsAndNoDepthwiseConvs() {
        List<ConvShape> s = ConvWorkloads.shufflenetV2(1);
        assertThat(s).hasSize(9).doesNotHaveDuplicates();
        assertThat(s.stream().map(ConvShape::c)).contains(3, 24, 58, 116, 232, 464);
        assertThat(s.stream().map(ConvShape::k)).contains(24, 58, 116, 232, 1024);
        assertThat(s).contains(ConvShape.parse("1,24,28,28,58,1,1,1,0"), ConvShape.parse("1,232,7,7,232,1,1,1,0"));
        for (ConvShape c : s) assertThat(ConvKernels.candidates(ConvFormat.W_FP16A_FP16, c)).as(c.dims()).isNotEmpty();
    }
}
