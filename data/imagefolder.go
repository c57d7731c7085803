package data

import (
	"encoding/json"
	"fmt"
	"image"
	_ "image/gif" // registers GIF with image.Decode
	_ "image/jpeg"
	_ "image/png"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// ImageFolderOptions configure ReadImageFolder. The zero value takes the
// size and channels of the first image.
type ImageFolderOptions struct {
	// Height and Width are the size every image is resized to (bilinear);
	// 0 means the first image's.
	Height, Width int
	// Channels is 1 (grayscale, ITU-R 601 luma as PIL's convert("L")) or 3
	// (RGB; alpha is dropped); 0 means 1 if the first image is grayscale,
	// else 3.
	Channels int
	// MemoryLimit is the most bytes the pixels may take; 0 means the memory
	// available now. A folder whose images would not fit is refused before
	// any is decoded.
	MemoryLimit int64
	// Prep, when set, reads the folder as an earlier one was read (test
	// data): its size, channels and classes; a class folder outside
	// Prep.Classes is an error.
	Prep *ImagePrep
}

// ImagePrep is what turns images into model inputs the same way again: the
// classes (folder names, sorted), the size and channels, and the
// per-channel mean and std of the training images' pixels in [0, 1]
// (torchvision's ToTensor then Normalize(mean, std)). It is saved with a run
// as JSON, like TablePrep.
type ImagePrep struct {
	Classes  []string  `json:"classes"`
	Height   int       `json:"height"`
	Width    int       `json:"width"`
	Channels int       `json:"channels"`
	Mean     []float64 `json:"mean"`
	Std      []float64 `json:"std"`
}

// ImageFolder is a folder of images laid out as torchvision's ImageFolder
// reads it (root/class/file.png), decoded, converted to one size and
// channel count and kept as bytes [N, C, H, W].
type ImageFolder struct {
	Root     string
	Classes  []string // folder names, sorted
	Files    []string // each image's path relative to Root ("cat/1.png"): its id
	Height   int
	Width    int
	Channels int
	pixels   []byte
	labels   []int
}

// imageExts are the file extensions read (case-insensitive); other files
// are skipped, as torchvision skips them.
var imageExts = []string{".png", ".jpg", ".jpeg", ".gif"}

// ReadImageFolder reads every PNG, JPEG and GIF image under root's class
// folders, their subfolders included (imageFiles). Errors name the file:
// an image that does not decode, a class folder with no images, a root
// without class folders.
func ReadImageFolder(root string, opts ImageFolderOptions) (*ImageFolder, error) {
	f := &ImageFolder{Root: root, Height: opts.Height, Width: opts.Width, Channels: opts.Channels}
	if opts.Prep != nil {
		f.Height, f.Width, f.Channels = opts.Prep.Height, opts.Prep.Width, opts.Prep.Channels
	}
	if f.Height < 0 || f.Width < 0 || f.Channels != 0 && f.Channels != 1 && f.Channels != 3 {
		return nil, fmt.Errorf("data: %s: size %dx%d and %d channels: want positive sizes and 1 or 3 channels", root, f.Height, f.Width, f.Channels)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			f.Classes = append(f.Classes, e.Name())
		}
	}
	if len(f.Classes) == 0 {
		return nil, fmt.Errorf("data: %s: no class folders (want one folder of images per class)", root)
	}
	slices.Sort(f.Classes)
	if err := f.list(opts.Prep); err != nil {
		return nil, err
	}
	if err := f.decodeAll(opts.MemoryLimit); err != nil {
		return nil, err
	}
	if opts.Prep != nil {
		f.Classes = slices.Clone(opts.Prep.Classes)
	}
	return f, nil
}

// list finds every image file and its label.
func (f *ImageFolder) list(prep *ImagePrep) error {
	for k, class := range f.Classes {
		label := k
		if prep != nil {
			if label = slices.Index(prep.Classes, class); label < 0 {
				return fmt.Errorf("data: %s: class %q was not in the training data (classes: %s)",
					filepath.Join(f.Root, class), class, strings.Join(prep.Classes, ", "))
			}
		}
		files, err := imageFiles(filepath.Join(f.Root, class))
		if err != nil {
			return fmt.Errorf("data: %w", err)
		}
		for _, name := range files {
			f.Files = append(f.Files, class+"/"+name)
			f.labels = append(f.labels, label)
		}
		if len(files) == 0 {
			return fmt.Errorf("data: %s: class folder with no images (want .png, .jpg, .jpeg or .gif files)", filepath.Join(f.Root, class))
		}
	}
	return nil
}

// ReadUnlabelledImages reads every image under root, its subfolders
// included (imageFiles), as the images of prep were read, with no labels
// (all 0): new images to predict, which need no class folders. Errors are
// ReadImageFolder's.
func ReadUnlabelledImages(root string, prep *ImagePrep, memoryLimit int64) (*ImageFolder, error) {
	f := &ImageFolder{Root: root, Classes: slices.Clone(prep.Classes), Height: prep.Height, Width: prep.Width, Channels: prep.Channels}
	files, err := imageFiles(root)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("data: %s: no images (want .png, .jpg, .jpeg or .gif files, or class folders of them)", root)
	}
	f.Files, f.labels = files, make([]int, len(files))
	if err := f.decodeAll(memoryLimit); err != nil {
		return nil, err
	}
	return f, nil
}

// HasClassFolder reports whether root holds a folder named as one of
// classes (labelled images laid out as for training) rather than only
// images or other folders (images to predict).
func HasClassFolder(root string, classes []string) bool {
	entries, _ := os.ReadDir(root)
	return slices.ContainsFunc(entries, func(e os.DirEntry) bool { return e.IsDir() && slices.Contains(classes, e.Name()) })
}

// imageFiles lists the images under dir and its subfolders, as
// torchvision's ImageFolder does (os.walk): by folder path, then by name
// within a folder, relative to dir with forward slashes ("a.png",
// "2019/b.png"). Hidden folders (".ipynb_checkpoints") are skipped, and
// symbolic links to folders are not followed.
func imageFiles(dir string) ([]string, error) {
	type file struct{ folder, rel, name string } // folder: the path, for the order
	var files []file
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case e.IsDir() && path != dir && strings.HasPrefix(e.Name(), "."):
			return filepath.SkipDir
		case !e.IsDir() && slices.Contains(imageExts, strings.ToLower(filepath.Ext(e.Name()))):
			rel, err := filepath.Rel(dir, filepath.Dir(path))
			if err != nil {
				return err
			}
			files = append(files, file{filepath.Dir(path), filepath.ToSlash(rel), e.Name()})
		}
		return nil
	})
	slices.SortStableFunc(files, func(a, b file) int { return strings.Compare(a.folder, b.folder) })
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = path.Join(f.rel, f.name) // "." joins away
	}
	return names, err
}

// decodeAll decodes the images in order; the first fixes the size and
// channels left open.
func (f *ImageFolder) decodeAll(limit int64) error {
	if limit == 0 {
		limit = availableMemory()
	}
	for i, name := range f.Files {
		img, err := decodeImage(filepath.Join(f.Root, name))
		if err != nil {
			return err
		}
		if i == 0 {
			b := img.Bounds()
			if f.Height == 0 {
				f.Height = b.Dy()
			}
			if f.Width == 0 {
				f.Width = b.Dx()
			}
			if f.Channels == 0 {
				f.Channels = 3
				switch img.(type) {
				case *image.Gray, *image.Gray16:
					f.Channels = 1
				}
			}
			need := int64(len(f.Files)) * int64(f.Channels*f.Height*f.Width)
			if limit > 0 && need > limit {
				return fmt.Errorf("data: %s: %d images of %dx%dx%d need %s, more than the %s of memory available; use smaller images (--image-size) or fewer",
					f.Root, len(f.Files), f.Channels, f.Height, f.Width, gib(need), gib(limit))
			}
			f.pixels = make([]byte, need)
		}
		size := f.Channels * f.Height * f.Width
		convertImage(f.pixels[i*size:(i+1)*size], img, f.Height, f.Width, f.Channels)
	}
	return nil
}

// decodeImage decodes one file, naming it in the error.
func decodeImage(path string) (image.Image, error) {
	r, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer r.Close()
	img, _, err := image.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("data: %s: not a decodable PNG, JPEG or GIF image: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() <= 0 || b.Dy() <= 0 {
		return nil, fmt.Errorf("data: %s: empty image", path)
	}
	return img, nil
}

// Len returns the number of images.
func (f *ImageFolder) Len() int { return len(f.Files) }

// Fit computes the preprocessing from the images rows (nil: all): the
// per-channel mean and population std of their pixels in [0, 1].
func (f *ImageFolder) Fit(rows []int) *ImagePrep {
	rows = allRows(rows, len(f.Files))
	p := &ImagePrep{Classes: slices.Clone(f.Classes), Height: f.Height, Width: f.Width, Channels: f.Channels,
		Mean: make([]float64, f.Channels), Std: make([]float64, f.Channels)}
	plane := f.Height * f.Width
	for c := range f.Channels {
		var hist [256]int64 // bytes: exact sums from a histogram
		for _, i := range rows {
			for _, v := range f.pixels[(i*f.Channels+c)*plane : (i*f.Channels+c+1)*plane] {
				hist[v]++
			}
		}
		var n, s float64
		for v, k := range hist {
			n += float64(k)
			s += float64(k) * float64(v) / 255
		}
		mean := s / n
		var ss float64
		for v, k := range hist {
			d := float64(v)/255 - mean
			ss += float64(k) * d * d
		}
		p.Mean[c], p.Std[c] = mean, math.Sqrt(ss/n)
		if p.Std[c] == 0 {
			p.Std[c] = 1
		}
	}
	return p
}

func allRows(rows []int, n int) []int {
	if rows != nil {
		return rows
	}
	rows = make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	return rows
}

// ImageSet is a Dataset of a folder's images standardized by an ImagePrep
// as Fill copies them: (pixel/255 − mean_c)/std_c, through a table per
// channel.
type ImageSet struct {
	f      *ImageFolder
	rows   []int
	shape  [3]int
	tables [][256]float32
}

var _ Dataset = (*ImageSet)(nil)

// Dataset returns the images rows (nil: all) standardized by prep, which
// must have the folder's size and channels.
func (f *ImageFolder) Dataset(prep *ImagePrep, rows []int) (*ImageSet, error) {
	if prep.Height != f.Height || prep.Width != f.Width || prep.Channels != f.Channels || len(prep.Mean) != f.Channels || len(prep.Std) != f.Channels {
		return nil, fmt.Errorf("data: %s: images are %dx%dx%d but the preprocessing is for %dx%dx%d with %d means",
			f.Root, f.Channels, f.Height, f.Width, prep.Channels, prep.Height, prep.Width, len(prep.Mean))
	}
	rows = allRows(rows, len(f.Files))
	for _, i := range rows {
		if i < 0 || i >= len(f.Files) {
			return nil, fmt.Errorf("data: %s: image %d out of range [0, %d)", f.Root, i, len(f.Files))
		}
	}
	s := &ImageSet{f: f, rows: rows, shape: [3]int{f.Channels, f.Height, f.Width}, tables: make([][256]float32, f.Channels)}
	for c := range f.Channels {
		for v := range 256 {
			s.tables[c][v] = float32((float64(v)/255 - prep.Mean[c]) / prep.Std[c])
		}
	}
	return s, nil
}

// Len returns the number of images.
func (s *ImageSet) Len() int { return len(s.rows) }

// Shape returns [C, H, W].
func (s *ImageSet) Shape() []int { return s.shape[:] }

// Classes returns the number of classes.
func (s *ImageSet) Classes() int { return len(s.f.Classes) }

// File returns example i's path relative to the root: its id.
func (s *ImageSet) File(i int) string { return s.f.Files[s.rows[i]] }

// Fill copies the standardized images idx into x and their labels into
// labels.
func (s *ImageSet) Fill(x []float32, labels []int, idx []int) {
	plane := s.shape[1] * s.shape[2]
	size := s.shape[0] * plane
	if len(x) < len(idx)*size || len(labels) < len(idx) {
		panic(fmt.Sprintf("data: Fill of %d images needs %d values and %d labels, got %d and %d", len(idx), len(idx)*size, len(idx), len(x), len(labels)))
	}
	for k, i := range idx {
		r := s.rows[i]
		src, dst := s.f.pixels[r*size:(r+1)*size], x[k*size:(k+1)*size]
		for c := range s.shape[0] {
			t := &s.tables[c]
			for j, v := range src[c*plane : (c+1)*plane] {
				dst[c*plane+j] = t[v]
			}
		}
		labels[k] = s.f.labels[r]
	}
}

// ReadImagePrep decodes an ImagePrep saved as JSON and checks it.
func ReadImagePrep(r io.Reader, name string) (*ImagePrep, error) {
	var p ImagePrep
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("data: %s: %w", name, err)
	}
	if len(p.Classes) == 0 || p.Height <= 0 || p.Width <= 0 || p.Channels != 1 && p.Channels != 3 ||
		len(p.Mean) != p.Channels || len(p.Std) != p.Channels || slices.ContainsFunc(p.Std, func(s float64) bool { return !(s > 0) }) {
		return nil, fmt.Errorf("data: %s: not an image folder's preprocessing (%d classes, %dx%dx%d, %d means, std %v)",
			name, len(p.Classes), p.Channels, p.Height, p.Width, len(p.Mean), p.Std)
	}
	return &p, nil
}
