package train

import (
	"errors"
	"os"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/data"
)

// defaultTestSplit is the fraction of a CSV file or an image folder held
// out for testing when Config gives neither TestData nor TestSplit.
const defaultTestSplit = 0.2

// LoadData loads the data c names: a CSV file or an image folder through
// data.OpenSource (returned too: its preprocessing belongs in the run
// directory, Source.WritePrep), a directory of IDX files in MNIST's
// layout, or the embedded MNIST when Data is empty, cut to the first
// Limit examples when Limit is positive. A file that does not parse, or
// options that do not apply to the data, are a ConfigError.
func LoadData(c Config) (trainSet, testSet data.Dataset, src *data.Source, err error) {
	layout := ""
	if c.Data != "" {
		if layout, err = data.Layout(c.Data); err != nil {
			return nil, nil, nil, configErrorf("{data} %s: not a readable file or directory", c.Data)
		}
	}
	if layout != "csv" && layout != "imagefolder" {
		if c.TestData != "" || c.TestSplit != 0 || c.Target != "" || c.Task != "" || c.ImageSize != "" || c.Channels != 0 {
			return nil, nil, nil, configErrorf("{test_data}, {test_split}, {target}, {task}, {image_size} and {channels} apply to a CSV file or an image folder given to {data}")
		}
		trainSet, testSet, err := LoadImages(c)
		return trainSet, testSet, nil, err
	}
	if src, err = openSource(c, layout); err != nil {
		return nil, nil, nil, err
	}
	return src.Train, src.Test, src, nil
}

// LoadImages is LoadData for images in MNIST's form alone: the embedded
// MNIST, or the IDX files in c.Data, cut to the first c.Limit images
// when c.Limit is positive.
func LoadImages(c Config) (data.Dataset, data.Dataset, error) {
	if c.Limit < 0 {
		return nil, nil, configErrorf("{limit} %d: want a positive number of images, or 0 for all", c.Limit)
	}
	var tr, te *data.Images
	var err error
	if c.Data == "" {
		if tr, te, err = data.LoadMNIST(); err != nil {
			return nil, nil, err
		}
	} else {
		if st, err := os.Stat(c.Data); err != nil || !st.IsDir() {
			return nil, nil, configErrorf("{data} %s: not a readable directory", c.Data)
		}
		if tr, te, err = data.LoadIDXDir(c.Data); err != nil {
			return nil, nil, inputError(err)
		}
	}
	if tr.Len() == 0 || te.Len() == 0 {
		which := map[bool]string{true: "training", false: "test"}[tr.Len() == 0]
		return nil, nil, configErrorf("{data} %s: the %s set is empty: no images to train and test on", c.Data, which)
	}
	if c.Limit == 0 {
		return tr, te, nil
	}
	trainSet, err := data.First(tr, min(c.Limit, tr.Len()))
	if err != nil {
		return nil, nil, err
	}
	testSet, err := data.First(te, min(c.Limit, te.Len()))
	if err != nil {
		return nil, nil, err
	}
	return trainSet, testSet, nil
}

// openSource reads c.Data (and c.TestData) with the configured options.
func openSource(c Config, layout string) (*data.Source, error) {
	if c.Limit < 0 {
		return nil, configErrorf("{limit} %d: want a positive number of examples, or 0 for all", c.Limit)
	}
	if c.TestData != "" && c.TestSplit != 0 {
		return nil, configErrorf("{test_data} and {test_split} both say what to test on: give one")
	}
	split := c.TestSplit
	if split == 0 {
		split = defaultTestSplit
	}
	if c.TestData == "" && !(split > 0 && split < 1) {
		return nil, configErrorf("{test_split} %v: want a fraction between 0 and 1", c.TestSplit)
	}
	if c.Task != "" && c.Task != "classification" && c.Task != "regression" {
		return nil, configErrorf("{task} %q: want classification or regression", c.Task)
	}
	if layout == "imagefolder" && (c.Target != "" || c.Task != "") {
		return nil, configErrorf("{target} and {task} apply to a CSV file; an image folder's classes are its folders")
	}
	if layout == "csv" && (c.ImageSize != "" || c.Channels != 0) {
		return nil, configErrorf("{image_size} and {channels} apply to an image folder, not to the CSV file %s", c.Data)
	}
	h, w, err := parseImageSize(c.ImageSize)
	if err != nil {
		return nil, err
	}
	if c.Channels != 0 && c.Channels != 1 && c.Channels != 3 {
		return nil, configErrorf("{channels} %d: want 1 (grayscale) or 3 (RGB)", c.Channels)
	}
	src, err := data.OpenSource(data.SourceOptions{Path: c.Data, TestPath: c.TestData, Split: split, Seed: c.Seed, Limit: c.Limit,
		CSV:    data.CSVOptions{Target: c.Target, Task: c.Task},
		Images: data.ImageFolderOptions{Height: h, Width: w, Channels: c.Channels}})
	if err != nil {
		return nil, DataError(err)
	}
	return src, nil
}

// DataError makes err a ConfigError when it is bad input (data.InputError:
// a file and line that do not parse), as one line without "data: ".
func DataError(err error) error {
	var ie *data.InputError
	if !errors.As(err, &ie) {
		return err
	}
	msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
	return configErrorf("%s", strings.TrimPrefix(msg, "data: ")).wrap(err)
}

// parseImageSize parses ImageSize: HxW or N; "" is 0x0 (the first
// image's size).
func parseImageSize(s string) (int, int, error) {
	if s == "" {
		return 0, 0, nil
	}
	hs, ws, ok := strings.Cut(s, "x")
	if !ok {
		ws = hs
	}
	h, err1 := strconv.Atoi(hs)
	w, err2 := strconv.Atoi(ws)
	if err1 != nil || err2 != nil || h <= 0 || w <= 0 || h > 4096 || w > 4096 {
		return 0, 0, configErrorf("{image_size} %q: want HxW or N, sizes from 1 to 4096", s)
	}
	return h, w, nil
}
