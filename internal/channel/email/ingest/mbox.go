package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
)

// maxLine bounds one line of an mbox file; a longer line is a broken file.
const maxLine = 16 << 20

// ReadFile calls fn with each message of a file: the file itself when it
// is one message (.eml), each message when it is an mbox (it starts with
// a "From " line). index counts mbox messages from 1; it is 0 for .eml.
func ReadFile(path string, fn func(index int, raw []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	head, _ := br.Peek(5)
	if string(head) != "From " {
		raw, err := io.ReadAll(br)
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		return fn(0, raw)
	}
	return splitMbox(br, fn)
}

// splitMbox reads mboxrd/mboxo: a message starts at a "From " line after a
// blank line (or at the start); ">From " lines lose one ">".
func splitMbox(r *bufio.Reader, fn func(int, []byte) error) error {
	var msg bytes.Buffer
	index := 0
	prevBlank := true
	started := false
	flush := func(last bool) error {
		if !started {
			return nil
		}
		index++
		raw := bytes.Clone(msg.Bytes())
		// The blank line before the next "From " belongs to the format.
		if !last {
			raw = bytes.TrimSuffix(raw, []byte("\n"))
		}
		msg.Reset()
		return fn(index, raw)
	}
	for {
		line, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A long line: gather it whole, within a bound.
			long := bytes.Clone(line)
			for err == bufio.ErrBufferFull && len(long) < maxLine {
				line, err = r.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if len(line) > 0 {
			switch {
			case prevBlank && bytes.HasPrefix(line, []byte("From ")):
				if err := flush(false); err != nil {
					return err
				}
				started = true
			case bytes.HasPrefix(bytes.TrimLeft(line, ">"), []byte("From ")) && line[0] == '>':
				msg.Write(line[1:])
			default:
				msg.Write(line)
			}
			trimmed := bytes.TrimRight(line, "\r\n")
			prevBlank = len(trimmed) == 0
		}
		if err == io.EOF {
			return flush(true)
		}
		if err != nil && err != bufio.ErrBufferFull {
			return fmt.Errorf("read mbox: %w", err)
		}
	}
}
