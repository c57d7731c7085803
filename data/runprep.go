package data

import (
	"fmt"
	"strconv"
)

// RunPrep is the preprocessing a run saved with its model (ReadRunPrep):
// that of a CSV table or that of an image folder, never both; neither for
// a run on IDX data.
type RunPrep struct {
	Table  *TablePrep
	Images *ImagePrep
}

// Classes returns the class labels as written in the training data, none
// for a regression.
func (p RunPrep) Classes() []string {
	if p.Table != nil {
		return p.Table.Classes
	}
	if p.Images != nil {
		return p.Images.Classes
	}
	return nil
}

// Shape returns the shape of one example: [features] for a table,
// [channels, height, width] for images.
func (p RunPrep) Shape() []int {
	if p.Table != nil {
		return []int{p.Table.Features()}
	}
	if p.Images != nil {
		return []int{p.Images.Channels, p.Images.Height, p.Images.Width}
	}
	return nil
}

// ReadNew reads new data at path, a CSV file (whose target column may be
// absent) for a table's preprocessing, a folder of class folders of
// images (or, unlabelled, a folder of images with no class folder) for an
// image folder's, and treats it as the training data were treated. It
// returns the examples, the id of each (the 0-based data row of the CSV
// file, or the image's path under the folder) and whether they hold
// targets. Errors reading the file are InputErrors.
func (p RunPrep) ReadNew(path string) (ds Dataset, ids []string, labelled bool, err error) {
	switch {
	case p.Table != nil:
		tb, err := ReadCSVFile(path, CSVOptions{Target: p.Table.Target, Prep: p.Table})
		if err != nil {
			return nil, nil, false, &InputError{Err: err}
		}
		set, err := tb.Dataset(p.Table, nil)
		if err != nil {
			return nil, nil, false, &InputError{Err: fmt.Errorf("%s: %v", path, err)}
		}
		ids := make([]string, set.Len())
		for i := range ids {
			ids[i] = strconv.Itoa(set.Row(i))
		}
		return set, ids, tb.HasTarget(), nil
	case p.Images != nil:
		// Class folders are labelled images; a folder without any is
		// images to predict, read whole.
		labelled := HasClassFolder(path, p.Images.Classes)
		var f *ImageFolder
		if labelled {
			f, err = ReadImageFolder(path, ImageFolderOptions{Prep: p.Images})
		} else {
			f, err = ReadUnlabelledImages(path, p.Images, 0)
		}
		if err != nil {
			return nil, nil, false, &InputError{Err: err}
		}
		set, err := f.Dataset(p.Images, nil)
		if err != nil {
			return nil, nil, false, &InputError{Err: fmt.Errorf("%s: %v", path, err)}
		}
		ids := make([]string, set.Len())
		for i := range ids {
			ids[i] = set.File(i)
		}
		return set, ids, labelled, nil
	}
	return nil, nil, false, fmt.Errorf("data: no preprocessing to read %s with", path)
}
