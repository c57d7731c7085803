package data

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

//go:generate go run mnist/gen/main.go

// mnistFiles is the copy of MNIST's four IDX files that GoMNIST ships,
// embedded so that an installed binary needs no download (see the package
// doc for why the copy exists), with the SHA-256 sums that vouch for it.
//
//go:embed mnist/*.gz mnist/SHA256SUMS
var mnistFiles embed.FS

// Normalization of MNIST pixels, PyTorch's convention
// (transforms.Normalize((0.1307,), (0.3081,))): the mean and standard
// deviation of the training pixels scaled to [0, 1]. Using the same values
// lets weights move between descent and PyTorch.
const (
	MNISTMean = 0.1307
	MNISTStd  = 0.3081
)

// The file names of the IDX layout LoadIDXDir expects, each optionally
// followed by ".gz".
const (
	TrainImagesFile = "train-images-idx3-ubyte"
	TrainLabelsFile = "train-labels-idx1-ubyte"
	TestImagesFile  = "t10k-images-idx3-ubyte"
	TestLabelsFile  = "t10k-labels-idx1-ubyte"
)

// pixelTable maps a byte to its normalized float32 value, computed the way
// torchvision does (ToTensor: byte/255 in float32; Normalize: (x-mean)/std
// in float32), so that both give the same bits.
var pixelTable = func() (t [256]float32) {
	for b := range t {
		x := float32(b) / 255
		t[b] = (x - float32(MNISTMean)) / float32(MNISTStd)
	}
	return t
}()

// NormalizePixel returns the value that a raw pixel byte becomes.
func NormalizePixel(b byte) float32 { return pixelTable[b] }

var mnistOnce = sync.OnceValues(func() ([2]*Images, error) { return loadSplits(openEmbedded) })

// openEmbedded opens the embedded copy of an MNIST file.
func openEmbedded(base string) (fs.File, string, error) {
	name := "mnist/" + base + ".gz"
	f, err := mnistFiles.Open(name)
	return f, "embedded " + name, err
}

// LoadMNIST returns MNIST's 60,000 training and 10,000 test images from the
// copy embedded in the binary, normalized with MNISTMean and MNISTStd. The files are
// decoded on the first call only; later calls return the same (read-only)
// sets.
func LoadMNIST() (train, test *Images, err error) {
	s, err := mnistOnce()
	return s[0], s[1], err
}

// LoadIDXDir reads the training and test sets of a data set in MNIST's
// layout (TrainImagesFile, TrainLabelsFile, TestImagesFile, TestLabelsFile,
// each raw or with a .gz suffix) from dir; Fashion-MNIST is one such set.
// Pixels are normalized like MNIST's (MNISTMean, MNISTStd), as PyTorch
// users usually do for Fashion-MNIST too. The number of classes is the
// largest training label plus one.
func LoadIDXDir(dir string) (train, test *Images, err error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, nil, fmt.Errorf("data: %s is not a readable directory (want a folder holding %s[.gz] and the other MNIST-layout files)", dir, TrainImagesFile)
	}
	var missing []string
	paths := map[string]string{}
	for _, base := range []string{TrainImagesFile, TrainLabelsFile, TestImagesFile, TestLabelsFile} {
		p, ok := findIDX(dir, base)
		if !ok {
			missing = append(missing, base+"[.gz]")
		}
		paths[base] = p
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("data: %s: missing %s (want the MNIST layout: %s, %s, %s, %s, each raw or .gz)",
			dir, strings.Join(missing, ", "), TrainImagesFile, TrainLabelsFile, TestImagesFile, TestLabelsFile)
	}
	s, err := loadSplits(func(base string) (fs.File, string, error) {
		f, err := os.Open(paths[base])
		return f, paths[base], err
	})
	return s[0], s[1], err
}

// findIDX returns the path of base or base.gz in dir.
func findIDX(dir, base string) (string, bool) {
	for _, name := range []string{base, base + ".gz"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, true
		}
	}
	return "", false
}

// loadSplits decodes the four files in parallel (gzip inflation dominates
// the start-up time of a training run) and checks that they agree. open
// returns a file and the name to use in errors.
func loadSplits(open func(base string) (fs.File, string, error)) ([2]*Images, error) {
	var dims [2][]int
	var pix [2][]byte
	var labels [2]*IDX
	var errs [4]error
	var wg sync.WaitGroup
	for i, base := range []string{TrainImagesFile, TrainLabelsFile, TestImagesFile, TestLabelsFile} {
		wg.Go(func() {
			f, name, err := open(base)
			if err != nil {
				errs[i] = fmt.Errorf("data: %w", err)
				return
			}
			defer f.Close()
			st, err := f.Stat()
			if err != nil {
				errs[i] = fmt.Errorf("data: %w", err)
				return
			}
			if i%2 == 0 {
				dims[i/2], pix[i/2], errs[i] = decodeIDX(f, st.Size(), name, func(dst, src []byte) { copy(dst, src) })
			} else {
				labels[i/2], errs[i] = ReadIDX(f, st.Size(), name)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return [2]*Images{}, err
	}
	train, err := newImagesFromIDX(dims[0], pix[0], labels[0], TrainImagesFile, TrainLabelsFile, 0)
	if err != nil {
		return [2]*Images{}, err
	}
	test, err := newImagesFromIDX(dims[1], pix[1], labels[1], TestImagesFile, TestLabelsFile, train.classes)
	if err != nil {
		return [2]*Images{}, err
	}
	if test.shape != train.shape {
		return [2]*Images{}, fmt.Errorf("data: %s: images are %dx%d but the training images are %dx%d",
			TestImagesFile, test.shape[1], test.shape[2], train.shape[1], train.shape[2])
	}
	return [2]*Images{train, test}, nil
}

// newImagesFromIDX checks that the images are [N, rows, cols] and the
// labels [N]. classes 0 means the largest label plus one.
func newImagesFromIDX(dims []int, pix []byte, labels *IDX, imagesName, labelsName string, classes int) (*Images, error) {
	if len(dims) != 3 || dims[1] == 0 || dims[2] == 0 {
		return nil, fmt.Errorf("data: %s: offset 3: dimensions %v: want 3 non-empty dimensions [images, rows, cols]", imagesName, dims)
	}
	if len(labels.Dims) != 1 {
		return nil, fmt.Errorf("data: %s: offset 3: dimensions %v: want 1 dimension [labels]", labelsName, labels.Dims)
	}
	if dims[0] != labels.Dims[0] {
		return nil, fmt.Errorf("data: %s holds %d images but %s holds %d labels", imagesName, dims[0], labelsName, labels.Dims[0])
	}
	lab := make([]int, len(labels.Data))
	top := 0
	for i, b := range labels.Data {
		lab[i] = int(b)
		top = max(top, int(b))
	}
	if classes == 0 {
		classes = top + 1
	} else if top >= classes {
		i := 0
		for int(labels.Data[i]) < classes {
			i++
		}
		return nil, fmt.Errorf("data: %s: offset %d: label %d of item %d is out of range [0, %d) of the training labels", labelsName, 8+i, labels.Data[i], i, classes)
	}
	return newByteImages(pix, &pixelTable, lab, dims[1], dims[2], classes)
}
