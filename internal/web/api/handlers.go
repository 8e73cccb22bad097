package api

import (
	"context"
	"net/http"

	"tessera/internal/auth"
)

// The shapes most routes share: read one by id, list all, create from a
// body, change one by id. Each handler names its service call and these
// do the HTTP around it.

func getByID[T any](w http.ResponseWriter, r *http.Request, get func(context.Context, int64) (T, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v, err := get(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, v)
}

func listAll[T any](w http.ResponseWriter, r *http.Request, all func(context.Context) ([]T, error)) error {
	items, err := all(r.Context())
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, list(items, ""))
}

func createFrom[I, T any](w http.ResponseWriter, r *http.Request, create func(context.Context, auth.Actor, I) (T, error)) error {
	var in I
	if err := decode(r, &in); err != nil {
		return err
	}
	v, err := create(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	return ok(w, http.StatusCreated, v)
}

// getAsActor is getByID for services that decide what the caller may see.
func getAsActor[T any](w http.ResponseWriter, r *http.Request, get func(context.Context, auth.Actor, int64) (T, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v, err := get(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, v)
}

// deleteByID deletes the object the path's id names and answers 204.
func deleteByID(w http.ResponseWriter, r *http.Request, del func(context.Context, auth.Actor, int64) error) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := del(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func updateByID[I, T any](w http.ResponseWriter, r *http.Request, update func(context.Context, auth.Actor, int64, I) (T, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in I
	if err := decode(r, &in); err != nil {
		return err
	}
	v, err := update(r.Context(), actorOf(r), id, in)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, v)
}
