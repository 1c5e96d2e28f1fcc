// Writes scripts/dev/conv_configs.json: every FP16 conv candidate (org.ladderae.kernels.ConvKernels) of the ResNet-50,
// ShuffleNet-v2 and Figure 12 conv shapes at batch 128 and 1, for conv_build.py / conv_check.py.
//   mvn -q -B -o package -DskipTests && jshell --class-path target/classes scripts/dev/conv_configs.jsh
import org.ladderae.kernels.*;
var sb = new StringBuilder("[\n");
var shapes = new java.util.ArrayList<ConvShape>();
for (int b : new int[]{128, 1}) { shapes.addAll(org.ladderae.models.CnnModels.denseConvShapes("resnet", b)); shapes.addAll(org.ladderae.models.CnnModels.denseConvShapes("shufflenet", b)); }
for (var e : ConvShape.FIGURE12.entrySet()) if (!shapes.contains(e.getValue())) shapes.add(e.getValue());
boolean first = true;
for (ConvShape s : shapes) {
  var cs = ConvKernels.candidates(ConvFormat.W_FP16A_FP16, s);
  for (int i = 0; i < cs.size(); i++) {
    var c = cs.get(i);
    sb.append(first ? "" : ",\n"); first = false;
    sb.append("{\"dims\":\"" + s.dims() + "\",\"rank\":" + i + ",\"name\":\"" + c.label() + "\",\"sym\":\"" + c.kernelName() + "\",\"splits\":" + c.splitK() + ",\"flags\":\"" + String.join(" ", c.defineFlags()) + "\",\"grid\":" + c.grid()[0] + ",\"threads\":" + c.threads() + ",\"smem\":" + c.sharedMemoryBytes() + ",\"ldw\":" + ConvWeightLayout.rowLength(s) + "}");
  }
}
sb.append("\n]\n");
java.nio.file.Files.writeString(java.nio.file.Path.of("scripts/dev/conv_configs.json"), sb.toString());
System.out.println(shapes.size() + " shapes");
/exit
