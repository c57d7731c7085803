package safetensors_test

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/descent-ml/descent/safetensors"
	"github.com/descent-ml/descent/tensor"
)

// A state dict written the way PyTorch's safetensors.torch.save_file
// writes one, and read back.
func Example() {
	w := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	b := tensor.FromSlice([]float32{0.5, -0.5}, 2)
	var buf bytes.Buffer
	err := safetensors.Write(&buf, []safetensors.Tensor{
		safetensors.Encode("0.weight", w),
		safetensors.Encode("0.bias", b),
	}, map[string]string{"format": "pt"})
	if err != nil {
		fmt.Println(err)
		return
	}
	n := binary.LittleEndian.Uint64(buf.Bytes())
	fmt.Printf("%d-byte header, padded with spaces to a multiple of 8:\n%s|\n", n, buf.Bytes()[8:8+n])

	f, err := safetensors.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "model.safetensors")
	if err != nil {
		fmt.Println(err)
		return
	}
	st, _ := f.Tensor("0.weight")
	into := tensor.New[float32](2, 3)
	if err := safetensors.DecodeInto(into, st); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Names(), st.DType, st.Shape, into.Data())
	fmt.Println(safetensors.DecodeInto(tensor.New[float32](3, 2), st))
	// Output:
	// 160-byte header, padded with spaces to a multiple of 8:
	// {"__metadata__":{"format":"pt"},"0.bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[8,32]}}       |
	// [0.bias 0.weight] F32 [2 3] [1 2 3 4 5 6]
	// safetensors: tensor "0.weight" has shape [2 3], want [3 2]
}
