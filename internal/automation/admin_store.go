package automation

import (
	"context"
	"fmt"

	"tessera/internal/auth"
	"tessera/internal/store"
)

// Move swaps a rule with its neighbour in the order rules run (up is
// earlier), for the rule builder's up and down buttons (admins only). The
// rules of the kind are renumbered 10, 20, 30… so equal positions cannot
// make a move a no-op. Only positions change: an automation keeps its
// scheduled due times, which a full Update would recompute.
func (s *Service) Move(ctx context.Context, actor auth.Actor, k Kind, id int64, up bool) error {
	if !actor.IsAdmin() {
		return auth.Forbidden("only admins manage " + table(k))
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, position FROM `+table(k)+` ORDER BY position, id`)
		if err != nil {
			return fmt.Errorf("order of %s: %w", table(k), err)
		}
		var ids []int64
		pos := map[int64]int{}
		for rows.Next() {
			var rid int64
			var p int
			if err := rows.Scan(&rid, &p); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, rid)
			pos[rid] = p
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		at := -1
		for i, rid := range ids {
			if rid == id {
				at = i
			}
		}
		if at < 0 {
			return fmt.Errorf("%s %d: %w", k, id, store.ErrNotFound)
		}
		to := at + 1
		if up {
			to = at - 1
		}
		if to < 0 || to >= len(ids) {
			return nil // already first or last
		}
		ids[at], ids[to] = ids[to], ids[at]
		for i, rid := range ids {
			if want := (i + 1) * 10; pos[rid] != want {
				if _, err := tx.Exec(ctx, `UPDATE `+table(k)+` SET position = $2 WHERE id = $1`, rid, want); err != nil {
					return fmt.Errorf("move %s %d: %w", k, rid, err)
				}
			}
		}
		dir := "down"
		if up {
			dir = "up"
		}
		return auth.Audit(ctx, tx, actor, string(k)+".move", fmt.Sprintf("%s:%d", k, id), dir)
	})
	s.forget()
	return err
}
