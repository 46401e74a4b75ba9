import { describe, expect, it } from 'vitest';
import {
  type CheckpointQuestion,
  learnerQuestion,
  normaliseAnswer,
  parseQuestions,
  validateQuestions,
} from '../../../src/domain/communities/checkpoint-values.ts';
import { DomainError } from '../../../src/domain/shared/domain-error.ts';

const single: CheckpointQuestion = {
  id: 'q1',
  type: 'single_choice',
  prompt: 'Pick one',
  points: 1,
  options: [
    { id: 'a', text: 'Right', correct: true },
    { id: 'b', text: 'Wrong', correct: false },
  ],
};
const multiple: CheckpointQuestion = {
  id: 'q2',
  type: 'multiple_choice',
  prompt: 'Pick some',
  points: 2,
  options: [
    { id: 'a', text: 'One', correct: true },
    { id: 'b', text: 'Two', correct: true },
    { id: 'c', text: 'Three', correct: false },
  ],
};
const short: CheckpointQuestion = {
  id: 'q3',
  type: 'short_answer',
  prompt: 'Name it',
  points: 1,
  acceptedAnswers: ['Photosynthesis', 'light reaction'],
};
const reflection: CheckpointQuestion = {
  id: 'q4',
  type: 'reflection',
  prompt: 'What did you learn?',
  points: 5,
  guidance: null,
};

const reasonOf = (input: unknown): string => {
  try {
    validateQuestions(input);
  } catch (error) {
    if (error instanceof DomainError) return `${error.code} ${error.reason}`;
    throw error;
  }
  return 'valid';
};

describe('checkpoint questions', () => {
  it('accepts the four types', () => {
    expect(validateQuestions([single, multiple, short, reflection])).toHaveLength(4);
  });

  it('refuses what cannot be answered or graded, each with its reason', () => {
    const options = (...flags: boolean[]) =>
      flags.map((correct, index) => ({ id: `o${index}`, text: `Option ${index}`, correct }));
    expect(reasonOf([])).toBe('VALIDATION NO_QUESTIONS');
    expect(reasonOf('nope')).toBe('VALIDATION INVALID_QUESTIONS');
    expect(reasonOf([{ ...single, options: options(false, false) }])).toBe('VALIDATION NO_CORRECT_ANSWER');
    expect(reasonOf([{ ...single, options: options(true, true) }])).toBe(
      'VALIDATION SEVERAL_CORRECT_ANSWERS',
    );
    expect(reasonOf([{ ...multiple, options: options(true, true) }])).toBe('VALIDATION EVERY_OPTION_CORRECT');
    expect(reasonOf([{ ...single, options: options(true) }])).toBe('VALIDATION TOO_FEW_OPTIONS');
    expect(
      reasonOf([
        {
          ...single,
          options: [
            { id: 'a', text: 'Same', correct: true },
            { id: 'b', text: ' same ', correct: false },
          ],
        },
      ]),
    ).toBe('VALIDATION DUPLICATE_OPTION');
    expect(
      reasonOf([
        {
          ...single,
          options: [
            { id: 'a', text: 'A', correct: true },
            { id: 'a', text: 'B', correct: false },
          ],
        },
      ]),
    ).toBe('VALIDATION DUPLICATE_OPTION');
    expect(reasonOf([{ ...short, acceptedAnswers: [] }])).toBe('VALIDATION NO_CORRECT_ANSWER');
    expect(reasonOf([{ ...short, acceptedAnswers: ['!!!'] }])).toBe('VALIDATION NO_CORRECT_ANSWER');
    expect(reasonOf([{ ...short, acceptedAnswers: ['Cell', 'cell.'] }])).toBe(
      'VALIDATION DUPLICATE_ACCEPTED_ANSWER',
    );
    expect(reasonOf([single, { ...short, id: 'q1' }])).toBe('VALIDATION DUPLICATE_QUESTION_ID');
    expect(reasonOf([{ ...reflection, prompt: '   ' }])).toBe('VALIDATION INVALID_QUESTION');
    expect(reasonOf([{ ...reflection, type: 'essay' }])).toBe('VALIDATION INVALID_QUESTION');
    expect(reasonOf([{ ...reflection, points: 0 }])).toBe('VALIDATION INVALID_QUESTION');
    expect(reasonOf(Array.from({ length: 51 }, (_, index) => ({ ...reflection, id: `r${index}` })))).toBe(
      'VALIDATION TOO_MANY_QUESTIONS',
    );
  });

  it('compares short answers without case, accents, punctuation or extra spaces', () => {
    expect(normaliseAnswer('  Photo-Synthèse! ')).toBe('photo synthese');
    expect(normaliseAnswer('CO₂')).toBe(normaliseAnswer('co2'));
  });

  it('shows learners no answers', () => {
    const seen = [single, multiple, short, reflection].map(learnerQuestion);
    expect(JSON.stringify(seen)).not.toMatch(/correct|acceptedAnswers|Photosynthesis/);
    expect(seen[0]).toEqual({
      id: 'q1',
      type: 'single_choice',
      prompt: 'Pick one',
      points: 1,
      options: [
        { id: 'a', text: 'Right' },
        { id: 'b', text: 'Wrong' },
      ],
    });
    expect(seen[3]).toEqual({
      id: 'q4',
      type: 'reflection',
      prompt: 'What did you learn?',
      points: 5,
      guidance: null,
    });
  });

  it('reads an erased community’s questions as none', () => {
    expect(parseQuestions(null)).toEqual([]);
    expect(parseQuestions(JSON.stringify([single]))).toEqual([single]);
  });
});
